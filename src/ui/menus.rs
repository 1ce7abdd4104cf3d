//! The menus of scene and source rows, and of an item on the canvas: each
//! entry runs an application action on its scene or item.

use adw::prelude::*;
use gettextrs::gettext;
use gtk::glib;
use plateau::model::ItemId;

/// The menu of a source row: stacking, lock, fit.
pub(super) fn item_menu(id: ItemId, locked: bool, name: &str) -> gtk::MenuButton {
    row_menu(item_menu_model(id, locked), &gettext("Item actions"), name)
}

/// An item's actions: stacking, fit, reset, lock, remove, and its source's
/// filters (the row's menu and the canvas's right-click menu).
pub(super) fn item_menu_model(id: ItemId, locked: bool) -> gio::Menu {
    let lock = if locked { gettext("_Unlock") } else { gettext("_Lock") };
    let entries = [
        (gettext("Bring _Forward"), "app.item-raise"),
        (gettext("Send _Backward"), "app.item-lower"),
        (gettext("_Fit to Canvas"), "app.item-fit"),
        (gettext("Reset _Transform"), "app.item-reset"),
        (lock, "app.item-lock"),
        (gettext("_Remove"), "app.item-remove"),
    ];
    let menu = menu_model(&entries, &id.0.to_string().to_variant());
    let filters = [
        (gettext("F_ilters…"), "app.item-filters"),
        (gettext("_Copy Filters"), "app.item-copy-filters"),
        (gettext("_Paste Filters"), "app.item-paste-filters"),
    ];
    menu.append_section(None, &menu_model(&filters, &id.0.to_string().to_variant()));
    menu
}

/// The menu of a scene row: rename, duplicate, move, remove.
pub(super) fn scene_menu(scene: &str) -> gtk::MenuButton {
    let entries = [
        (gettext("_Rename…"), "app.scene-rename"),
        (gettext("_Duplicate"), "app.scene-duplicate"),
        (gettext("Move _Up"), "app.scene-up"),
        (gettext("Move _Down"), "app.scene-down"),
        (gettext("_Remove"), "app.scene-remove"),
    ];
    row_menu(menu_model(&entries, &scene.to_variant()), &gettext("Scene actions"), scene)
}

/// A menu that runs each action on `target`.
pub(super) fn menu_model(entries: &[(String, &str)], target: &glib::Variant) -> gio::Menu {
    let menu = gio::Menu::new();
    for (label, action) in entries {
        let item = gio::MenuItem::new(Some(label), None);
        item.set_action_and_target_value(Some(action), Some(target));
        menu.append_item(&item);
    }
    menu
}

/// A "more" button with `menu`.
pub(super) fn row_menu(menu: gio::Menu, tooltip: &str, name: &str) -> gtk::MenuButton {
    let button = gtk::MenuButton::builder()
        .icon_name("view-more-symbolic")
        .menu_model(&menu)
        .valign(gtk::Align::Center)
        .css_classes(["flat"])
        .tooltip_text(tooltip)
        .build();
    button
        .update_property(&[gtk::accessible::Property::Label(&format!("{} {name}", gettext("Actions for")))]);
    button
}
