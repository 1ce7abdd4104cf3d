//! The geometry of direct manipulation on the canvas, without any widget:
//! where the canvas sits in the view, which item is under the pointer,
//! and how a drag moves or resizes an item (with snapping).

use plateau::model::{Scene, SceneItem};

/// Snapping reaches this far, in canvas pixels.
pub const SNAP: f64 = 8.0;
/// Handles are this big on screen, in view pixels.
pub const HANDLE: f64 = 10.0;

/// How the canvas (`width` x `height`) is fitted into a view: uniform scale
/// and the offset of its top-left corner (GtkPicture's `contain`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub scale: f64,
    pub x: f64,
    pub y: f64,
}

/// Room kept around the program picture (its widget's margins) so that
/// the selection handles of an item at the canvas's edge show whole.
pub const PICTURE_INSET: f64 = 6.0;
const _: () = assert!(HANDLE / 2.0 <= PICTURE_INSET, "a handle at the canvas's edge shows whole");

impl Fit {
    /// The canvas contained in a view whose picture keeps `PICTURE_INSET`
    /// of room on every side.
    pub fn inset(canvas: (u32, u32), view: (f64, f64)) -> Self {
        let inner = ((view.0 - 2.0 * PICTURE_INSET).max(1.0), (view.1 - 2.0 * PICTURE_INSET).max(1.0));
        let fit = Self::contain(canvas, inner);
        Self { x: fit.x + PICTURE_INSET, y: fit.y + PICTURE_INSET, ..fit }
    }

    pub fn contain(canvas: (u32, u32), view: (f64, f64)) -> Self {
        let (cw, ch) = (f64::from(canvas.0.max(1)), f64::from(canvas.1.max(1)));
        let scale = (view.0 / cw).min(view.1 / ch).max(1e-6);
        Self { scale, x: (view.0 - cw * scale) / 2.0, y: (view.1 - ch * scale) / 2.0 }
    }

    pub fn to_canvas(self, vx: f64, vy: f64) -> (f64, f64) {
        ((vx - self.x) / self.scale, (vy - self.y) / self.scale)
    }

    pub fn to_view(self, cx: f64, cy: f64) -> (f64, f64) {
        (self.x + cx * self.scale, self.y + cy * self.scale)
    }
}

/// What a press grabbed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grip {
    Move,
    /// A corner or edge: which sides follow the pointer.
    Resize {
        left: bool,
        top: bool,
        right: bool,
        bottom: bool,
    },
}

fn contains(item: &SceneItem, x: f64, y: f64) -> bool {
    let (x0, y0) = (f64::from(item.x), f64::from(item.y));
    x >= x0 && y >= y0 && x < x0 + f64::from(item.width) && y < y0 + f64::from(item.height)
}

/// The top-most visible, unlocked item with a picture under (x, y) on the canvas.
pub fn item_at(scene: &Scene, x: f64, y: f64) -> Option<&SceneItem> {
    scene
        .items
        .iter()
        .rev()
        .find(|i| i.visible && !i.locked && i.width > 0 && i.height > 0 && contains(i, x, y))
}

/// The grip of `item` at (x, y) on the canvas, where handles are `handle`
/// canvas pixels wide (HANDLE in view pixels divided by the scale).
pub fn grip(item: &SceneItem, x: f64, y: f64, handle: f64) -> Option<Grip> {
    let (x0, y0) = (f64::from(item.x), f64::from(item.y));
    let (x1, y1) = (x0 + f64::from(item.width), y0 + f64::from(item.height));
    let near = |a: f64, b: f64| (a - b).abs() <= handle;
    let inside_x = x >= x0 - handle && x <= x1 + handle;
    let inside_y = y >= y0 - handle && y <= y1 + handle;
    if !(inside_x && inside_y) {
        return None;
    }
    let (left, right, top, bottom) = (near(x, x0), near(x, x1), near(y, y0), near(y, y1));
    if left || right || top || bottom {
        Some(Grip::Resize { left, top, right, bottom })
    } else if contains(item, x, y) {
        Some(Grip::Move)
    } else {
        None
    }
}

/// Pulls `value` onto the nearest target within SNAP.
fn snap(value: f64, targets: &[f64]) -> f64 {
    targets
        .iter()
        .copied()
        .filter(|t| (t - value).abs() <= SNAP)
        .min_by(|a, b| (a - value).abs().total_cmp(&(b - value).abs()))
        .unwrap_or(value)
}

/// Edges and centres an item's edges snap to: the canvas and the other items.
fn targets(canvas: (u32, u32), others: &[&SceneItem], horizontal: bool) -> Vec<f64> {
    let size = f64::from(if horizontal { canvas.0 } else { canvas.1 });
    let mut t = vec![0.0, size / 2.0, size];
    for o in others {
        let (start, len) = if horizontal { (o.x, o.width) } else { (o.y, o.height) };
        t.extend([f64::from(start), f64::from(start) + f64::from(len)]);
    }
    t
}

/// `start` moved by a drag of (dx, dy) canvas pixels; edges and centre snap.
pub fn moved(
    start: &SceneItem,
    dx: f64,
    dy: f64,
    canvas: (u32, u32),
    others: &[&SceneItem],
    snapping: bool,
) -> SceneItem {
    let mut item = start.clone();
    let (w, h) = (f64::from(start.width), f64::from(start.height));
    let mut x = f64::from(start.x) + dx;
    let mut y = f64::from(start.y) + dy;
    if snapping {
        let snap_axis = |pos: f64, len: f64, targets: &[f64]| {
            // Whichever of the leading edge, centre or trailing edge lands closest.
            [(pos, 0.0), (pos + len / 2.0, len / 2.0), (pos + len, len)]
                .iter()
                .map(|(p, off)| (snap(*p, targets) - off, (snap(*p, targets) - p).abs()))
                .filter(|(_, d)| *d > 0.0)
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map_or(pos, |(snapped, _)| snapped)
        };
        x = snap_axis(x, w, &targets(canvas, others, true));
        y = snap_axis(y, h, &targets(canvas, others, false));
    }
    item.x = x.round() as i32;
    item.y = y.round() as i32;
    item
}

/// `start` resized by dragging `grip` by (dx, dy) canvas pixels; with
/// `keep_aspect` the width and height keep their ratio. Never below 8 px.
pub fn resized(start: &SceneItem, grip: Grip, dx: f64, dy: f64, keep_aspect: bool) -> SceneItem {
    let Grip::Resize { left, top, right, bottom } = grip else { return start.clone() };
    let (mut x0, mut y0) = (f64::from(start.x), f64::from(start.y));
    let (mut x1, mut y1) = (x0 + f64::from(start.width), y0 + f64::from(start.height));
    if left {
        x0 = (x0 + dx).min(x1 - 8.0);
    }
    if right {
        x1 = (x1 + dx).max(x0 + 8.0);
    }
    if top {
        y0 = (y0 + dy).min(y1 - 8.0);
    }
    if bottom {
        y1 = (y1 + dy).max(y0 + 8.0);
    }
    if keep_aspect && start.height > 0 {
        let ratio = f64::from(start.width) / f64::from(start.height);
        let (w, h) = (x1 - x0, y1 - y0);
        // Follow the dimension the pointer changed most.
        if (w - f64::from(start.width)).abs() / ratio >= (h - f64::from(start.height)).abs() {
            let nh = w / ratio;
            if top {
                y0 = y1 - nh
            } else {
                y1 = y0 + nh
            }
        } else {
            let nw = h * ratio;
            if left {
                x0 = x1 - nw
            } else {
                x1 = x0 + nw
            }
        }
    }
    let mut item = start.clone();
    item.x = x0.round() as i32;
    item.y = y0.round() as i32;
    item.width = (x1 - x0).round().max(8.0) as u32;
    item.height = (y1 - y0).round().max(8.0) as u32;
    item
}

/// `start` cropped by dragging the sides of `grip` by (dx, dy) canvas
/// pixels (Alt+drag): the picture keeps its scale, the dragged sides cut
/// into it (or uncover what was cut), and the item follows the visible
/// part. `source` is the source's picture size; at least 8 source pixels
/// stay visible each way.
pub fn cropped(start: &SceneItem, grip: Grip, dx: f64, dy: f64, source: (u32, u32)) -> SceneItem {
    let Grip::Resize { left, top, right, bottom } = grip else { return start.clone() };
    let c = start.crop;
    let (sw, sh) = (f64::from(source.0), f64::from(source.1));
    let visible_w = (sw - f64::from(c.left) - f64::from(c.right)).max(1.0);
    let visible_h = (sh - f64::from(c.top) - f64::from(c.bottom)).max(1.0);
    // Canvas pixels per source pixel, kept through the crop.
    let (kx, ky) = (f64::from(start.width) / visible_w, f64::from(start.height) / visible_h);
    let (mut l, mut t, mut r, mut b) =
        (f64::from(c.left), f64::from(c.top), f64::from(c.right), f64::from(c.bottom));
    if left {
        l = (l + dx / kx).clamp(0.0, (sw - r - 8.0).max(0.0));
    }
    if right {
        r = (r - dx / kx).clamp(0.0, (sw - l - 8.0).max(0.0));
    }
    if top {
        t = (t + dy / ky).clamp(0.0, (sh - b - 8.0).max(0.0));
    }
    if bottom {
        b = (b - dy / ky).clamp(0.0, (sh - t - 8.0).max(0.0));
    }
    let (l, t, r, b) = (l.round(), t.round(), r.round(), b.round());
    let mut item = start.clone();
    item.x = (f64::from(start.x) + (l - f64::from(c.left)) * kx).round() as i32;
    item.y = (f64::from(start.y) + (t - f64::from(c.top)) * ky).round() as i32;
    item.width = ((sw - l - r) * kx).round().max(1.0) as u32;
    item.height = ((sh - t - b) * ky).round().max(1.0) as u32;
    item.crop = plateau::model::Crop { left: l as u32, top: t as u32, right: r as u32, bottom: b as u32 };
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inset_picture_leaves_room_for_the_handles_on_every_side() {
        // A 1280x720 canvas in a 652x372 view: 640x360 at (6, 6).
        let fit = Fit::inset((1280, 720), (652.0, 372.0));
        assert!((fit.scale - 0.5).abs() < 1e-9);
        assert_eq!(fit.to_view(0.0, 0.0), (PICTURE_INSET, PICTURE_INSET));
        assert_eq!(fit.to_view(1280.0, 720.0), (646.0, 366.0));
    }
    use plateau::model::{ItemId, SourceId};

    fn item(x: i32, y: i32, w: u32, h: u32) -> SceneItem {
        SceneItem::new(ItemId(1), SourceId::new("s"), x, y, w, h)
    }

    #[test]
    fn the_fit_maps_view_and_canvas_both_ways() {
        let fit = Fit::contain((1280, 720), (640.0, 480.0));
        assert_eq!(fit.scale, 0.5);
        assert_eq!((fit.x, fit.y), (0.0, 60.0));
        assert_eq!(fit.to_canvas(320.0, 240.0), (640.0, 360.0));
        assert_eq!(fit.to_view(640.0, 360.0), (320.0, 240.0));
    }

    #[test]
    fn the_top_most_visible_unlocked_item_is_picked() {
        let mut scene = Scene::new("s");
        scene.items = vec![item(0, 0, 100, 100), item(50, 50, 100, 100)];
        scene.items[1].id = ItemId(2);
        assert_eq!(item_at(&scene, 60.0, 60.0).map(|i| i.id), Some(ItemId(2)));
        scene.items[1].locked = true;
        assert_eq!(item_at(&scene, 60.0, 60.0).map(|i| i.id), Some(ItemId(1)));
        assert!(item_at(&scene, 500.0, 500.0).is_none());
    }

    #[test]
    fn grips_tell_corners_edges_and_the_inside_apart() {
        let i = item(100, 100, 200, 100);
        assert_eq!(grip(&i, 150.0, 150.0, 5.0), Some(Grip::Move));
        assert_eq!(
            grip(&i, 300.0, 200.0, 5.0),
            Some(Grip::Resize { left: false, top: false, right: true, bottom: true })
        );
        assert_eq!(
            grip(&i, 100.0, 150.0, 5.0),
            Some(Grip::Resize { left: true, top: false, right: false, bottom: false })
        );
        assert_eq!(grip(&i, 50.0, 50.0, 5.0), None);
    }

    #[test]
    fn moving_snaps_to_canvas_edges_centre_and_other_items() {
        let i = item(100, 100, 200, 100);
        assert_eq!((moved(&i, 13.0, 0.0, (1280, 720), &[], true).x), 113, "far from everything: no snap");
        assert_eq!(moved(&i, -95.0, 0.0, (1280, 720), &[], true).x, 0, "left edge snaps to 0");
        // Centre 540 + 95 = 635 snaps to the canvas centre 640.
        assert_eq!(moved(&i, 435.0, 0.0, (1280, 720), &[], true).x, 540);
        let other = item(400, 0, 50, 50);
        assert_eq!(
            moved(&i, 97.0, 0.0, (1280, 720), &[&other], true).x,
            200,
            "right edge onto the other's left"
        );
        assert_eq!(moved(&i, -95.0, 0.0, (1280, 720), &[], false).x, 5, "no snapping without it");
    }

    #[test]
    fn resizing_follows_the_grip_and_keeps_the_aspect_on_request() {
        let i = item(100, 100, 200, 100);
        let br = Grip::Resize { left: false, top: false, right: true, bottom: true };
        let r = resized(&i, br, 100.0, 10.0, false);
        assert_eq!((r.x, r.y, r.width, r.height), (100, 100, 300, 110));
        let r = resized(&i, br, 100.0, 10.0, true);
        assert_eq!((r.width, r.height), (300, 150));
        let tl = Grip::Resize { left: true, top: true, right: false, bottom: false };
        let r = resized(&i, tl, 50.0, 20.0, false);
        assert_eq!((r.x, r.y, r.width, r.height), (150, 120, 150, 80));
        let r = resized(&i, tl, 500.0, 500.0, false);
        assert_eq!((r.width, r.height), (8, 8), "never below 8 px");
    }

    #[test]
    fn alt_dragging_an_edge_crops_and_keeps_the_scale() {
        // A 1920x1080 picture shown at half size.
        let start = item(100, 50, 960, 540);
        let left = Grip::Resize { left: true, top: false, right: false, bottom: false };
        let c = cropped(&start, left, 100.0, 0.0, (1920, 1080));
        assert_eq!((c.crop.left, c.crop.right), (200, 0), "100 canvas px are 200 source px");
        assert_eq!((c.x, c.width, c.height), (200, 860, 540));
        // Dragging back out uncovers it again, never beyond the picture.
        let back = cropped(&c, left, -500.0, 0.0, (1920, 1080));
        assert_eq!((back.crop.left, back.x, back.width), (0, 100, 960));
        let corner = Grip::Resize { left: false, top: false, right: true, bottom: true };
        let c = cropped(&start, corner, -2000.0, -30.0, (1920, 1080));
        assert_eq!((c.crop.right, c.crop.bottom), (1912, 60), "8 source px stay");
        assert_eq!((c.x, c.y, c.width, c.height), (100, 50, 4, 510));
        assert_eq!(cropped(&start, Grip::Move, 10.0, 10.0, (1920, 1080)), start);
    }
}
