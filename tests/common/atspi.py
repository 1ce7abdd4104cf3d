"""Finds a widget of the running Plateau in its accessibility tree (by its
name; `NAME*` for a name that starts so) and acts on it as a person would: `press NAME [ROLE]` runs its own action (a click),
`point NAME [ROLE]` prints its window's title and its middle in that
window (for the pointer to click there). A widget that is greyed out is an
error, never pressed. Exit status 2 and a line on stderr say what failed.

`text NAME [ROLE]` prints the widget's text (an entry's or a label's)."""
import sys

import pyatspi


def matches(node, name, role):
    try:
        named = node.name.startswith(name[:-1]) if name.endswith("*") else node.name == name
        return named and (role is None or node.getRoleName() == role)
    except Exception:
        return False


def find(name, role):
    """Every node named `name` (with `role`), in every Plateau window."""
    found = []

    def walk(node, depth):
        if depth > 60:
            return
        if matches(node, name, role):
            found.append(node)
        try:
            for child in node:
                walk(child, depth + 1)
        except Exception:
            pass

    for app in pyatspi.Registry.getDesktop(0):
        if app and app.name == "plateau":
            walk(app, 0)
    return found


def window_of(node):
    while node.parent is not None and node.parent.getRoleName() != "application":
        node = node.parent
    return node


def on_screen(node):
    """Whether the node takes room on the screen (GTK 4.8 does not tell
    whether a widget shows; one that is hidden has no size)."""
    try:
        e = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        return e.width > 0 and e.height > 0
    except Exception:
        return True


def main():
    verb, name = sys.argv[1], sys.argv[2]
    role = sys.argv[3] if len(sys.argv) > 3 else None
    nodes = find(name, role)
    if not nodes:
        sys.exit(f"no widget named `{name}`" + (f" ({role})" if role else "") + " in plateau's windows")
    if verb == "text":
        for node in nodes:
            try:
                t = node.queryText()
                print(t.getText(0, t.characterCount))
            except Exception:
                print(node.name)
        return
    shown = [n for n in nodes if on_screen(n)]
    if not shown:
        sys.exit(f"`{name}` is not shown")
    usable = [n for n in shown if n.getState().contains(pyatspi.STATE_SENSITIVE)]
    if not usable:
        print(f"`{name}` is greyed out", file=sys.stderr)
        sys.exit(2)
    node = usable[-1]
    if verb == "point":
        # GTK 4.8 gives extents within the widget's window: print the
        # window's title and the middle of the widget in it.
        e = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        print(f"{window_of(node).name}\t{e.x + e.width // 2}\t{e.y + e.height // 2}")
        return
    # A label is pressed through the button that holds it.
    why = None
    for candidate in reversed(usable):
        ancestors = (candidate.parent, getattr(candidate.parent, "parent", None))
        for target, depth in [(candidate, 0)] + [(a, 2) for a in ancestors if a is not None]:
            # An ancestor is pressed itself, never through another child of it.
            why = press(target, depth)
            if why is None:
                return
    sys.exit(f"`{name}` {why}")


def press(node, depth=0):
    """Runs the node's click (or that of the button inside it, as a menu
    button holds one); returns why it could not, or None."""
    try:
        action = node.queryAction()
        names = [action.getName(i) for i in range(action.nActions)]
    except Exception:
        names = []
    for wanted in ("click", "activate", "press", "toggle"):
        if wanted in names:
            return None if action.doAction(names.index(wanted)) else "refused to be pressed"
    if depth < 2:
        for child in node:
            if press(child, depth + 1) is None:
                return None
    return f"cannot be pressed (its actions: {names})"

if __name__ == "__main__":
    main()
