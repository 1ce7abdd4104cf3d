"""Drives Plateau's own requests (CallVendorRequest, vendor "plateau") and
its hotkeys with obsws-python. Prints the swarm's ticket as a first JSON
line, waits for a line on stdin (a viewer has joined), then prints what it
saw as a second JSON line.

Usage: python obsws_python_vendor.py PORT PASSWORD
"""
import json
import sys
import time

import obsws_python as obs
from obsws_python.error import OBSSDKRequestError

port, password = int(sys.argv[1]), sys.argv[2]
req = obs.ReqClient(host="127.0.0.1", port=port, password=password, timeout=30)


def plateau(kind, data=None):
    answer = req.send(
        "CallVendorRequest", {"vendorName": "plateau", "requestType": kind, "requestData": data or {}}, raw=True
    )
    return answer["responseData"]


def code_of(call):
    try:
        call()
        return 100
    except OBSSDKRequestError as e:
        return e.code


out = {"hotkeys": req.send("GetHotkeyList", raw=True)["hotkeys"]}
out["swarmBefore"] = plateau("GetPeerToPeerStatus")
ticket = plateau("StartPeerToPeer")["ticket"]
print(json.dumps({"ticket": ticket}), flush=True)
sys.stdin.readline()
deadline = time.time() + 20
status = plateau("GetPeerToPeerStatus")
while status.get("viewers", 0) < 1 and time.time() < deadline:
    time.sleep(0.5)
    status = plateau("GetPeerToPeerStatus")
out["swarm"] = status

out["podcastStart"] = plateau("StartPodcast")["outputPath"]
time.sleep(1.5)
out["chapter"] = plateau("AddChapter", {"chapterName": "Questions"})
time.sleep(1.5)
out["podcast"] = plateau("StopPodcast")["outputPath"]
out["chapterWithoutPodcast"] = code_of(lambda: plateau("AddChapter"))

out["destinations"] = plateau("GetDestinationList")["destinations"]

req.send("TriggerHotkeyByName", {"hotkeyName": "plateau.record"})
time.sleep(1.5)
out["recordingAfterHotkey"] = req.get_record_status().output_active
req.send("TriggerHotkeyByName", {"hotkeyName": "plateau.record"})
deadline = time.time() + 15
while req.get_record_status().output_active and time.time() < deadline:
    time.sleep(0.2)
out["recordingAfterSecondPress"] = req.get_record_status().output_active
out["unknownHotkey"] = code_of(lambda: req.send("TriggerHotkeyByName", {"hotkeyName": "no.such.hotkey"}))
out["otherVendor"] = code_of(
    lambda: req.send("CallVendorRequest", {"vendorName": "obs-shaderfilter", "requestType": "x"})
)
plateau("StopPeerToPeer")
out["swarmAfter"] = plateau("GetPeerToPeerStatus")
print(json.dumps(out), flush=True)
