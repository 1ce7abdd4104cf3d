"""Saves the replay buffer with obsws-python, asks for the last replay,
stops the buffer, and tries to save again. Prints one JSON object.

Usage: python obsws_python_replay.py PORT PASSWORD
"""
import json
import sys
import time

from obsws_common import connect, refused

port, password = int(sys.argv[1]), sys.argv[2]
req = connect(port, password, timeout=20)



out = {"active": req.get_replay_buffer_status().output_active}
time.sleep(6)
req.save_replay_buffer()
out["saved"] = req.get_last_replay_buffer_replay().saved_replay_path
out["start_again"] = refused(req.start_replay_buffer)
req.stop_replay_buffer()
out["active_after_stop"] = req.get_replay_buffer_status().output_active
out["save_when_off"] = refused(req.save_replay_buffer)
print(json.dumps(out))
