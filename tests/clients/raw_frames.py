"""Sends obs-websocket frames that no good client sends, with
websocket-client (the WebSocket library obsws-python is built on), and
prints how Plateau answered each as one JSON object.

Usage: python raw_frames.py PORT PASSWORD
"""
import base64
import hashlib
import json
import sys
import time

import websocket

port, password = int(sys.argv[1]), sys.argv[2]
url = f"ws://127.0.0.1:{port}"


def session():
    ws = websocket.create_connection(url, timeout=10)
    hello = json.loads(ws.recv())
    return ws, hello


def answer(hello, secret):
    auth = hello["d"]["authentication"]
    s = base64.b64encode(hashlib.sha256((secret + auth["salt"]).encode()).digest())
    return base64.b64encode(hashlib.sha256(s + auth["challenge"].encode()).digest()).decode()


def closing(ws):
    """The close code and reason the server sent (or how the link ended)."""
    try:
        while True:
            opcode, data = ws.recv_data(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
                return [code, data[2:].decode("utf-8", "replace")]
    except Exception as e:
        return [None, type(e).__name__]


def after(frame, identify=False, binary=False):
    ws, hello = session()
    if identify:
        ws.send(json.dumps({"op": 1, "d": {"rpcVersion": 1, "authentication": answer(hello, password)}}))
        ws.recv()
    if binary:
        ws.send_binary(frame)
    else:
        ws.send(frame)
    return closing(ws)


out = {}
out["requestBeforeIdentify"] = after(json.dumps({"op": 6, "d": {"requestType": "GetVersion", "requestId": "1"}}))
out["notJson"] = after("{{{ not json")
out["unknownOp"] = after(json.dumps({"op": 42, "d": {}}), identify=True)
out["identifyTwice"] = after(json.dumps({"op": 1, "d": {"rpcVersion": 1}}), identify=True)
out["rpcVersion2"] = after(json.dumps({"op": 1, "d": {"rpcVersion": 2}}))
out["binaryOnJson"] = after(b"\x81\xa2op\x06", binary=True)
out["huge"] = after("[" + "0," * (1 << 20) + "0]", identify=True)
# Still serving after all that.
ws, hello = session()
out["helloAfterwards"] = hello["op"]
ws.close()

# Wrong passwords: refused, and the next attempt too soon is refused even
# with the right one; after the wait, the right one works.
ws, hello = session()
ws.send(json.dumps({"op": 1, "d": {"rpcVersion": 1, "authentication": answer(hello, "wrong")}}))
out["wrongPassword"] = closing(ws)
ws, hello = session()
ws.send(json.dumps({"op": 1, "d": {"rpcVersion": 1, "authentication": answer(hello, password)}}))
out["rightPasswordTooSoon"] = closing(ws)
time.sleep(0.8)
ws, hello = session()
ws.send(json.dumps({"op": 1, "d": {"rpcVersion": 1, "authentication": answer(hello, password)}}))
out["rightPasswordLater"] = json.loads(ws.recv())["op"]

# A bad field is refused and changes nothing.
def request(kind, data):
    ws.send(json.dumps({"op": 6, "d": {"requestType": kind, "requestId": kind, "requestData": data}}))
    return json.loads(ws.recv())["d"]


out["badVolume"] = request("SetInputVolume", {"inputName": "Tone", "inputVolumeMul": "loud"})["requestStatus"]["code"]
out["outOfRange"] = request("SetInputVolume", {"inputName": "Tone", "inputVolumeMul": 1e9})["requestStatus"]["code"]
out["noSuchInput"] = request("SetInputVolume", {"inputName": "Nobody", "inputVolumeMul": 0.5})["requestStatus"]["code"]
out["missingField"] = request("SetCurrentProgramScene", {})["requestStatus"]["code"]
out["volumeAfter"] = request("GetInputVolume", {"inputName": "Tone"})["responseData"]["inputVolumeMul"]
out["programAfter"] = request("GetCurrentProgramScene", {})["responseData"]["sceneName"]
ws.close()
print(json.dumps(out))
