use super::collection::{ItemId, Scene, SceneCollection, SceneItem};
use super::source::{Color, Source, SourceKind, TestPattern};
use super::TextMotion;

/// The collection Plateau starts with when none is given or saved: a
/// test-pattern "camera", a moving picture-in-picture, a title, a tone, and a
/// screen capture when `with_screen` (a display exists).
pub fn demo_collection(with_screen: bool) -> SceneCollection {
    let mut c = SceneCollection::new("Demo");
    let (w, h) = (c.video.width, c.video.height);
    c.sources = vec![
        Source::new("camera", "Camera", SourceKind::TestPattern { pattern: TestPattern::Smpte }),
        Source::new("guest", "Guest", SourceKind::TestPattern { pattern: TestPattern::Ball }),
        Source::new(
            "title",
            "Title",
            SourceKind::Text {
                text: "Plateau".into(),
                font: "Sans Bold".into(),
                size: 40,
                color: Color::rgb(255, 255, 255),
                outline: true,
                shadow: true,
                width: w,
                height: 100,
                motion: TextMotion::Still,
            },
        ),
        Source::new("tone", "Tone", SourceKind::Tone { frequency: 440.0 }),
    ];
    let mut live = Scene::new("Live");
    live.items = vec![
        SceneItem::new(ItemId(1), "camera".into(), 0, 0, w, h),
        SceneItem::new(ItemId(2), "guest".into(), (w - w / 4 - 40) as i32, 40, w / 4, h / 4),
        SceneItem::new(ItemId(3), "title".into(), 0, (h - 120) as i32, w, 100),
        SceneItem::new(ItemId(4), "tone".into(), 0, 0, 0, 0),
    ];
    let mut second = Scene::new(if with_screen { "Screen" } else { "Backdrop" });
    let backdrop = if with_screen {
        Source::new(
            "screen",
            "Screen",
            SourceKind::ScreenX11 { display: None, region: None, show_pointer: true },
        )
    } else {
        Source::new("backdrop", "Backdrop", SourceKind::Color { color: Color::rgb(32, 64, 160) })
    };
    second.items = vec![
        SceneItem::new(ItemId(1), backdrop.id.clone(), 0, 0, w, h),
        SceneItem::new(
            ItemId(2),
            "camera".into(),
            (w - w / 4 - 40) as i32,
            (h - h / 4 - 40) as i32,
            w / 4,
            h / 4,
        ),
        SceneItem::new(ItemId(3), "tone".into(), 0, 0, 0, 0),
    ];
    c.sources.push(backdrop);
    c.scenes = vec![live, second];
    c
}

impl From<&str> for super::source::SourceId {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}
