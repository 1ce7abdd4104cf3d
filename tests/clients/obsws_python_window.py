"""Drives the studio window with obsws-python: switches the program to
Blue, then waits for the window to switch back to Red (which the test does
by clicking), then, once told on stdin, checks that the presenter's
Disconnect closed it. Prints one line per step.

Usage: python obsws_python_window.py PORT PASSWORD
"""
import sys
import time

import obsws_python as obs

port, password = int(sys.argv[1]), sys.argv[2]
seen = []


def on_current_program_scene_changed(data):
    seen.append(data.scene_name)


events = obs.EventClient(host="127.0.0.1", port=port, password=password, timeout=10)
events.callback.register(on_current_program_scene_changed)
req = obs.ReqClient(host="127.0.0.1", port=port, password=password, timeout=10)
req.set_current_program_scene("Blue")
print("set Blue", flush=True)
deadline = time.time() + 30
while "Red" not in seen and time.time() < deadline:
    time.sleep(0.1)
print("heard " + ",".join(seen), flush=True)
# A control surface's button: Plateau's record action, by its hotkey name.
names = req.send("GetHotkeyList", raw=True)["hotkeys"]
req.send("TriggerHotkeyByName", {"hotkeyName": "plateau.record"})
# A button starts the recording: it runs a moment later.
deadline = time.time() + 10
while not req.get_record_status().output_active and time.time() < deadline:
    time.sleep(0.2)
print("hotkey plateau.record listed=%s recording=%s" % ("plateau.record" in names, req.get_record_status().output_active), flush=True)
sys.stdin.readline()
req.send("TriggerHotkeyByName", {"hotkeyName": "plateau.record"})
deadline = time.time() + 15
while req.get_record_status().output_active and time.time() < deadline:
    time.sleep(0.2)
print("stopped recording=%s" % req.get_record_status().output_active, flush=True)
sys.stdin.readline()
try:
    req.get_version()
    print("still connected", flush=True)
except Exception as e:  # the session was closed by the presenter
    print("disconnected", type(e).__name__, flush=True)
