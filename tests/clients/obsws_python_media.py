"""Drives a media file input with obsws-python: its status, pause, seeks,
play, a refused action, then removes the input. Prints one JSON object.

Usage: python obsws_python_media.py PORT PASSWORD
"""
import json
import sys
import time

import obsws_python as obs
from obsws_common import connect, refused

port, password = int(sys.argv[1]), sys.argv[2]
seen = []


def on_input_removed(data):
    seen.append(["InputRemoved", data.input_name])


events = obs.EventClient(host="127.0.0.1", port=port, password=password, timeout=10)
events.callback.register(on_input_removed)
req = connect(port, password, timeout=10)


def status():
    s = req.get_media_input_status("Clip")
    return [s.media_state, s.media_cursor, s.media_duration]



out = {}
deadline = time.time() + 10
while status()[0] != "OBS_MEDIA_STATE_PLAYING" and time.time() < deadline:
    time.sleep(0.2)
time.sleep(1.0)
out["playing"] = status()
req.trigger_media_input_action("Clip", "OBS_WEBSOCKET_MEDIA_INPUT_ACTION_PAUSE")
time.sleep(0.3)
out["paused"] = status()
time.sleep(1.0)
out["paused_later"] = status()
req.set_media_input_cursor("Clip", 4000)
time.sleep(0.3)
out["moved"] = status()
req.offset_media_input_cursor("Clip", -1000)
time.sleep(0.3)
out["offset"] = status()
req.trigger_media_input_action("Clip", "OBS_WEBSOCKET_MEDIA_INPUT_ACTION_PLAY")
time.sleep(1.0)
out["played_on"] = status()
out["next"] = refused(lambda: req.trigger_media_input_action("Clip", "OBS_WEBSOCKET_MEDIA_INPUT_ACTION_NEXT"))
out["not_media"] = refused(lambda: req.get_media_input_status("Red"))
req.remove_input("Clip")
time.sleep(0.5)
out["inputs"] = [i["inputName"] for i in req.get_input_list().inputs]
out["items"] = [i["sourceName"] for i in req.get_scene_item_list("Red").scene_items]
out["removed_again"] = refused(lambda: req.remove_input("Clip"))
out["events"] = seen
events.disconnect()
req.disconnect()
print(json.dumps(out))
