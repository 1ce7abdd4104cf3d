//! The program canvas's manipulation layer, drawn over the live picture:
//! click selects an item and shows its handles, dragging moves it, handles
//! resize it (Shift keeps the aspect ratio), edges snap to the canvas, its
//! centre and other items (hold Ctrl to place freely), arrow keys nudge by
//! 1 px (Shift: 10 px), Delete removes the item. Alt+dragging a handle
//! crops instead of resizing; a right click opens the item's menu.

use std::cell::{Cell, RefCell};

use gtk::prelude::*;
use gtk::subclass::prelude::*;
use gtk::{gdk, glib};
use plateau::model::{ItemId, Scene, SceneItem, SourceId};

use super::manipulation::{cropped, grip, item_at, moved, resized, Fit, Grip, HANDLE};

/// What the canvas asks of its owner: apply an item's new transform
/// (`done` at the end of a gesture, when it is worth saving), or remove it.
pub enum CanvasEdit {
    Item { item: SceneItem, done: bool },
    Remove(ItemId),
}

type OnEdit = Box<dyn Fn(CanvasEdit)>;
type OnContext = Box<dyn Fn(ItemId, f64, f64)>;
type OnSelect = Box<dyn Fn(Option<ItemId>)>;
type KeepsAspect = Box<dyn Fn(&SourceId) -> bool>;
type SourceSize = Box<dyn Fn(&SourceId) -> Option<(u32, u32)>>;

#[derive(Clone)]
pub struct Drag {
    grip: Grip,
    start: SceneItem,
    /// Cropping (Alt held on a handle): the source's picture size.
    crop_source: Option<(u32, u32)>,
    /// The item is always resized in proportion (a text).
    keep_aspect: bool,
}

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct ProgramCanvas {
        pub scene: RefCell<Option<Scene>>,
        pub canvas: Cell<(u32, u32)>,
        pub selected: Cell<Option<ItemId>>,
        pub drag: RefCell<Option<Drag>>,
        pub on_edit: RefCell<Option<OnEdit>>,
        pub on_context: RefCell<Option<OnContext>>,
        pub on_select: RefCell<Option<OnSelect>>,
        pub source_size: RefCell<Option<SourceSize>>,
        pub keeps_aspect: RefCell<Option<KeepsAspect>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ProgramCanvas {
        const NAME: &'static str = "PlateauProgramCanvas";
        type Type = super::ProgramCanvas;
        type ParentType = gtk::DrawingArea;
    }

    impl ObjectImpl for ProgramCanvas {
        fn constructed(&self) {
            self.parent_constructed();
            let obj = self.obj();
            obj.set_focusable(true);
            obj.set_hexpand(true);
            obj.set_vexpand(true);
            obj.update_property(&[gtk::accessible::Property::Label(&gettextrs::gettext("Canvas"))]);
            let weak = obj.downgrade();
            obj.set_draw_func(move |_, cr, w, h| {
                if let Some(c) = weak.upgrade() {
                    c.draw(cr, f64::from(w), f64::from(h));
                }
            });
            obj.install_gestures();
        }
    }
    impl WidgetImpl for ProgramCanvas {}
    impl DrawingAreaImpl for ProgramCanvas {}
}

glib::wrapper! {
    pub struct ProgramCanvas(ObjectSubclass<imp::ProgramCanvas>)
        @extends gtk::DrawingArea, gtk::Widget,
        @implements gtk::Accessible, gtk::Buildable, gtk::ConstraintTarget;
}

impl Default for ProgramCanvas {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl ProgramCanvas {
    /// Shows `scene` on a canvas of `size`; the selection survives if its item does.
    pub fn set_scene(&self, scene: Option<Scene>, size: (u32, u32)) {
        let imp = self.imp();
        imp.canvas.set(size);
        let keep = imp.selected.get().filter(|id| scene.as_ref().is_some_and(|s| s.item(*id).is_some()));
        imp.selected.set(keep);
        let empty = scene.as_ref().is_some_and(|s| s.items.is_empty());
        self.update_property(&[gtk::accessible::Property::Description(&match empty {
            true => empty_hint(),
            false => String::new(),
        })]);
        if imp.drag.borrow().is_none() {
            *imp.scene.borrow_mut() = scene;
        }
        self.queue_draw();
    }

    pub fn connect_edit(&self, f: impl Fn(CanvasEdit) + 'static) {
        *self.imp().on_edit.borrow_mut() = Some(Box::new(f));
    }

    /// Calls `f` with the item and the view point of a right click on it.
    pub fn connect_context_menu(&self, f: impl Fn(ItemId, f64, f64) + 'static) {
        *self.imp().on_context.borrow_mut() = Some(Box::new(f));
    }

    /// Calls `f` when a click selects an item (or nothing) on the canvas.
    pub fn connect_selected(&self, f: impl Fn(Option<ItemId>) + 'static) {
        *self.imp().on_select.borrow_mut() = Some(Box::new(f));
    }

    /// Tells the canvas which sources are always resized in proportion
    /// (texts: their glyphs must never be stretched).
    pub fn set_keeps_aspect(&self, f: impl Fn(&SourceId) -> bool + 'static) {
        *self.imp().keeps_aspect.borrow_mut() = Some(Box::new(f));
    }

    /// Tells the canvas how to learn a source's picture size (for cropping).
    pub fn set_source_size(&self, f: impl Fn(&SourceId) -> Option<(u32, u32)> + 'static) {
        *self.imp().source_size.borrow_mut() = Some(Box::new(f));
    }

    pub fn selected(&self) -> Option<ItemId> {
        self.imp().selected.get()
    }

    fn fit(&self) -> Fit {
        Fit::inset(self.imp().canvas.get(), (f64::from(self.width()), f64::from(self.height())))
    }

    fn selected_item(&self) -> Option<SceneItem> {
        let imp = self.imp();
        let id = imp.selected.get()?;
        imp.scene.borrow().as_ref()?.item(id).cloned()
    }

    fn edit(&self, edit: CanvasEdit) {
        if let CanvasEdit::Item { item, .. } = &edit {
            if let Some(scene) = self.imp().scene.borrow_mut().as_mut() {
                if let Some(slot) = scene.item_mut(item.id) {
                    *slot = item.clone();
                }
            }
        }
        if let Some(f) = self.imp().on_edit.borrow().as_ref() {
            f(edit);
        }
        self.queue_draw();
    }

    /// Selects `id` (when the scene has it) and draws its handles.
    pub fn select_item(&self, id: ItemId) {
        let imp = self.imp();
        if imp.scene.borrow().as_ref().is_some_and(|s| s.item(id).is_some()) {
            imp.selected.set(Some(id));
            self.queue_draw();
        }
    }

    /// Selects the item under a point of the view, or nothing.
    pub fn select_at(&self, vx: f64, vy: f64) {
        let (cx, cy) = self.fit().to_canvas(vx, vy);
        let imp = self.imp();
        let hit = imp.scene.borrow().as_ref().and_then(|s| item_at(s, cx, cy).map(|i| i.id));
        imp.selected.set(hit);
        if let Some(f) = imp.on_select.borrow().as_ref() {
            f(hit);
        }
        self.queue_draw();
    }

    /// Begins a drag at a view point: on a handle of the selection it
    /// resizes (crops with `alt`), inside an item it selects and moves it.
    pub fn begin_drag(&self, vx: f64, vy: f64, alt: bool) {
        let fit = self.fit();
        let (cx, cy) = fit.to_canvas(vx, vy);
        let handle = HANDLE / fit.scale;
        let on_selection = self.selected_item().and_then(|i| grip(&i, cx, cy, handle).map(|g| (g, i)));
        let drag = match on_selection {
            Some((g, i)) => {
                let size = self.imp().source_size.borrow().as_ref().and_then(|f| f(&i.source));
                let keep_aspect = self.imp().keeps_aspect.borrow().as_ref().is_some_and(|f| f(&i.source));
                Some(Drag { grip: g, start: i, crop_source: size.filter(|_| alt), keep_aspect })
            }
            None => {
                self.select_at(vx, vy);
                self.selected_item().map(|i| Drag {
                    grip: Grip::Move,
                    start: i,
                    crop_source: None,
                    keep_aspect: false,
                })
            }
        };
        *self.imp().drag.borrow_mut() = drag;
    }

    /// Follows the pointer, `dx`/`dy` view pixels from the start.
    pub fn update_drag(&self, dx: f64, dy: f64, shift: bool, ctrl: bool, done: bool) {
        let Some(drag) = self.imp().drag.borrow().clone() else { return };
        let scale = self.fit().scale;
        let (dx, dy) = (dx / scale, dy / scale);
        let item = match drag.grip {
            Grip::Move => {
                let scene = self.imp().scene.borrow().clone();
                let others: Vec<&SceneItem> = scene
                    .as_ref()
                    .map(|s| s.items.iter().filter(|i| i.id != drag.start.id && i.width > 0).collect())
                    .unwrap_or_default();
                moved(&drag.start, dx, dy, self.imp().canvas.get(), &others, !ctrl)
            }
            grip => match drag.crop_source {
                Some(source) => cropped(&drag.start, grip, dx, dy, source),
                None => resized(&drag.start, grip, dx, dy, shift || drag.keep_aspect),
            },
        };
        if done {
            self.imp().drag.borrow_mut().take();
        }
        self.edit(CanvasEdit::Item { item, done });
    }

    fn nudge(&self, dx: i32, dy: i32) -> bool {
        let Some(mut item) = self.selected_item() else { return false };
        item.x += dx;
        item.y += dy;
        self.edit(CanvasEdit::Item { item, done: true });
        true
    }

    fn install_gestures(&self) {
        let drag = gtk::GestureDrag::new();
        drag.set_button(gdk::BUTTON_PRIMARY);
        let w = self.downgrade();
        drag.connect_drag_begin(move |g, x, y| {
            if let Some(c) = w.upgrade() {
                c.grab_focus();
                c.begin_drag(x, y, g.current_event_state().contains(gdk::ModifierType::ALT_MASK));
                g.set_state(gtk::EventSequenceState::Claimed);
            }
        });
        // The pointer's moves and its release follow the same path; the
        // release also ends the gesture (and saves).
        let follow = |done: bool| {
            let w = self.downgrade();
            move |g: &gtk::GestureDrag, dx: f64, dy: f64| {
                let m = g.current_event_state();
                if let Some(c) = w.upgrade() {
                    let (shift, ctrl) = (
                        m.contains(gdk::ModifierType::SHIFT_MASK),
                        m.contains(gdk::ModifierType::CONTROL_MASK),
                    );
                    c.update_drag(dx, dy, shift, ctrl, done);
                }
            }
        };
        drag.connect_drag_update(follow(false));
        drag.connect_drag_end(follow(true));
        self.add_controller(drag);

        // A right click selects the item under the pointer and opens its menu.
        let menu = gtk::GestureClick::new();
        menu.set_button(gdk::BUTTON_SECONDARY);
        let w = self.downgrade();
        menu.connect_pressed(move |g, _, x, y| {
            let Some(c) = w.upgrade() else { return };
            c.grab_focus();
            c.select_at(x, y);
            let Some(id) = c.selected() else { return };
            g.set_state(gtk::EventSequenceState::Claimed);
            let on_context = c.imp().on_context.borrow();
            if let Some(f) = on_context.as_ref() {
                f(id, x, y);
            }
        });
        self.add_controller(menu);

        let keys = gtk::EventControllerKey::new();
        let w = self.downgrade();
        keys.connect_key_pressed(move |_, key, _, m| {
            let Some(c) = w.upgrade() else { return glib::Propagation::Proceed };
            let step = if m.contains(gdk::ModifierType::SHIFT_MASK) { 10 } else { 1 };
            let handled = match key {
                gdk::Key::Left => c.nudge(-step, 0),
                gdk::Key::Right => c.nudge(step, 0),
                gdk::Key::Up => c.nudge(0, -step),
                gdk::Key::Down => c.nudge(0, step),
                gdk::Key::Delete => match c.selected() {
                    Some(id) => {
                        c.imp().selected.set(None);
                        c.edit(CanvasEdit::Remove(id));
                        true
                    }
                    None => false,
                },
                gdk::Key::Escape => {
                    c.imp().selected.set(None);
                    c.queue_draw();
                    true
                }
                _ => false,
            };
            if handled {
                glib::Propagation::Stop
            } else {
                glib::Propagation::Proceed
            }
        });
        self.add_controller(keys);
    }

    fn draw(&self, cr: &gtk::cairo::Context, w: f64, h: f64) {
        if self.imp().scene.borrow().as_ref().is_some_and(|s| s.items.is_empty()) {
            draw_hint(cr, w, h);
        }
        let Some(item) = self.selected_item() else { return };
        let fit = Fit::inset(self.imp().canvas.get(), (w, h));
        let (x0, y0) = fit.to_view(f64::from(item.x), f64::from(item.y));
        let (x1, y1) = fit
            .to_view(f64::from(item.x) + f64::from(item.width), f64::from(item.y) + f64::from(item.height));
        cr.set_source_rgb(0.21, 0.52, 0.89);
        cr.set_line_width(2.0);
        cr.rectangle(x0, y0, x1 - x0, y1 - y0);
        let _ = cr.stroke();
        let half = HANDLE / 2.0;
        for (hx, hy) in [
            (x0, y0),
            (x1, y0),
            (x0, y1),
            (x1, y1),
            ((x0 + x1) / 2.0, y0),
            ((x0 + x1) / 2.0, y1),
            (x0, (y0 + y1) / 2.0),
            (x1, (y0 + y1) / 2.0),
        ] {
            cr.rectangle(hx - half, hy - half, HANDLE, HANDLE);
        }
        cr.set_source_rgb(1.0, 1.0, 1.0);
        let _ = cr.fill_preserve();
        cr.set_source_rgb(0.21, 0.52, 0.89);
        let _ = cr.stroke();
    }
}

/// What to do with an empty scene.
fn empty_hint() -> String {
    gettextrs::gettext("This scene is empty: add a source with the + button above the sources.")
}

/// The hint, in the middle of an empty scene.
fn draw_hint(cr: &gtk::cairo::Context, w: f64, h: f64) {
    let text = empty_hint();
    cr.set_source_rgba(1.0, 1.0, 1.0, 0.8);
    cr.set_font_size((h / 24.0).clamp(11.0, 18.0));
    let width = cr.text_extents(&text).map_or(0.0, |e| e.width());
    cr.move_to(((w - width) / 2.0).max(4.0), h / 2.0);
    let _ = cr.show_text(&text);
}
