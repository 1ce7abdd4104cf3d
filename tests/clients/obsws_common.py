"""What the obsws-python clients of the tests share: connecting, and the
status code of a refused request."""
import obsws_python as obs
from obsws_python.error import OBSSDKRequestError


def connect(port, password, timeout=10):
    return obs.ReqClient(host="127.0.0.1", port=port, password=password, timeout=timeout)


def refused(call):
    """The code a request was refused with, or None when it went through."""
    try:
        call()
        return None
    except OBSSDKRequestError as e:
        return e.code
