"""Animation export: frames of the map over a window of days, as GIF or MP4. Pure: matplotlib
and GeoPandas plotting, no Streamlit, no folium. The page and `python -m dashboard.animate`
both go through `render_animation` (see export.py); a still picture of a view through
`render_still` (still.py). One drawing at a time per process (gate.py); the page draws in a
watched child process (worker.py, job.py)."""

from dashboard.animation.export import (
    Animation,
    AnimationRequest,
    cache_info,
    clear_cache,
    plan,
    render_animation,
)
from dashboard.animation.gate import GATE, Busy
from dashboard.animation.render import FrameRenderer
from dashboard.animation.still import STILL_SIZES, Still, StillRequest, render_still
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

__all__ = ["DEFAULT_BBOX", "GATE", "MAX_FRAMES", "STEPS", "STILL_SIZES", "Animation", "AnimationError",
           "AnimationRequest", "BBox", "Busy", "FrameRenderer", "Still", "StillRequest", "TooManyFrames", "cache_info",
           "clear_cache", "frame_dates", "parse_bbox", "parse_date", "parse_size", "plan", "render_animation",
           "render_still"]
