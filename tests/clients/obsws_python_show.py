"""Drives Plateau with obsws-python (the PyPI client users script OBS with):
records while switching the program scene and moving a scene item, and
prints what it saw as one JSON object.

Usage: python obsws_python_show.py PORT PASSWORD
"""
import json
import sys
import time

import obsws_python as obs

port, password = int(sys.argv[1]), sys.argv[2]
seen = []


def on_current_program_scene_changed(data):
    seen.append(["CurrentProgramSceneChanged", data.scene_name])


def on_record_state_changed(data):
    seen.append(["RecordStateChanged", data.output_state])


def on_scene_item_transform_changed(data):
    seen.append(["SceneItemTransformChanged", data.scene_item_transform["positionX"]])


def on_input_mute_state_changed(data):
    seen.append(["InputMuteStateChanged", data.input_muted])


# Every low-volume event, and the scene item transforms.
events = obs.EventClient(host="127.0.0.1", port=port, password=password, subs=2047 | (1 << 19), timeout=10)
events.callback.register(
    [
        on_current_program_scene_changed,
        on_record_state_changed,
        on_scene_item_transform_changed,
        on_input_mute_state_changed,
    ]
)
req = obs.ReqClient(host="127.0.0.1", port=port, password=password, timeout=10)
scenes = [s["sceneName"] for s in req.get_scene_list().scenes]
req.set_current_scene_transition("Cut")
req.start_record()
time.sleep(2)
req.set_current_program_scene("Blue")
time.sleep(2)
box = req.get_scene_item_id("Blue", "Box").scene_item_id
before = req.get_scene_item_transform("Blue", box).scene_item_transform
req.set_scene_item_transform("Blue", box, {"positionX": 400, "positionY": 100})
after = req.get_scene_item_transform("Blue", box).scene_item_transform
req.toggle_input_mute("Tone")
muted = req.get_input_mute("Tone").input_muted
time.sleep(2)
path = req.stop_record().output_path
time.sleep(0.5)
events.disconnect()
req.disconnect()
print(
    json.dumps(
        {
            "scenes": scenes,
            "path": path,
            "before": [before["positionX"], before["positionY"]],
            "after": [after["positionX"], after["positionY"]],
            "muted": muted,
            "events": seen,
        }
    )
)
