"""Starts, toggles and stops the virtual camera with obsws-python, and asks
PipeWire (pw-dump) how many nodes called Plateau there are meanwhile.
Prints one JSON object.

Usage: python obsws_python_virtualcam.py PORT PASSWORD
"""
import json
import subprocess
import sys
import time

from obsws_common import connect, refused

port, password = int(sys.argv[1]), sys.argv[2]
req = connect(port, password, timeout=10)



def plateau_nodes():
    dump = json.loads(subprocess.run(["pw-dump"], capture_output=True, text=True, check=True).stdout or "[]")
    props = [o.get("info", {}).get("props", {}) for o in dump]
    return sum(1 for p in props if p.get("node.description") == "Plateau")


def nodes_within(seconds, wanted):
    deadline = time.time() + seconds
    while time.time() < deadline:
        n = plateau_nodes()
        if n == wanted:
            return n
        time.sleep(0.2)
    return plateau_nodes()


out = {"before": req.get_virtual_cam_status().output_active}
req.start_virtual_cam()
out["after_start"] = req.get_virtual_cam_status().output_active
out["nodes_while_on"] = nodes_within(10, 2)
out["start_again"] = refused(req.start_virtual_cam)
out["after_toggle"] = req.toggle_virtual_cam().output_active
out["nodes_after"] = nodes_within(10, 0)
out["stop_again"] = refused(req.stop_virtual_cam)
print(json.dumps(out))
