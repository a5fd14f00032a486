"""Animation export: frames of the map over a window of days, as GIF or MP4. Pure: matplotlib
and GeoPandas plotting, no Streamlit, no folium. The page and `python -m dashboard.animate`
both go through `render_animation` (see export.py)."""

from dashboard.animation.export import (
    Animation,
    AnimationRequest,
    cache_info,
    clear_cache,
    plan,
    render_animation,
)
from dashboard.animation.render import FrameRenderer
from dashboard.animation.window import (
    DEFAULT_BBOX,
    MAX_FRAMES,
    STEPS,
    AnimationError,
    BBox,
    TooManyFrames,
    frame_dates,
    parse_bbox,
    parse_date,
    parse_size,
)

__all__ = ["DEFAULT_BBOX", "MAX_FRAMES", "STEPS", "Animation", "AnimationError", "AnimationRequest", "BBox",
           "FrameRenderer", "TooManyFrames", "cache_info", "clear_cache", "frame_dates", "parse_bbox", "parse_date",
           "parse_size", "plan", "render_animation"]
