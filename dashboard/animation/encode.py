"""Frames to files: GIF (one shared palette, Pillow) and MP4 (H.264, yuv420p, imageio's ffmpeg).

Both take frames one at a time, so a long animation never holds its RGB frames in memory: the
GIF keeps each frame as one byte per pixel, the MP4 streams to ffmpeg."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence

import imageio.v2 as imageio
import numpy as np
from PIL import Image

FORMATS = {"gif": "image/gif", "mp4": "video/mp4"}
#: The last frame stays this long in a looping GIF, so a reader sees where the window ends.
GIF_HOLD_LAST_MS = 2000
#: x264's constant quality: 23 is its default; maps are flat colour, so this is near-lossless to the eye.
MP4_CRF = 23


class GifEncoder:
    """Quantise every frame to one palette made from sample frames (no flicker between frames,
    no dithering noise, so unchanged areas stay identical and Pillow stores only what changed)."""

    def __init__(self, samples: Sequence[np.ndarray], fps: float) -> None:
        sample = Image.fromarray(np.vstack(list(samples)))
        self._palette = sample.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        self._frames: list[Image.Image] = []
        self._ms = max(int(round(1000 / fps, -1)), 20)  # GIF counts in hundredths of a second

    def add(self, rgb: np.ndarray) -> None:
        self._frames.append(Image.fromarray(rgb).quantize(palette=self._palette, dither=Image.Dither.NONE))

    def finish(self) -> bytes:
        durations = [self._ms] * len(self._frames)
        durations[-1] = max(self._ms, GIF_HOLD_LAST_MS)
        out = io.BytesIO()
        first, *rest = self._frames
        first.save(out, format="GIF", save_all=True, append_images=rest, duration=durations, loop=0,
                   optimize=False, disposal=1)
        self._frames = []
        return out.getvalue()

    def abort(self) -> None:
        self._frames = []


class Mp4Encoder:
    """H.264 in yuv420p (plays in every browser), fed frame by frame to imageio-ffmpeg's ffmpeg."""

    def __init__(self, size: tuple[int, int], fps: float) -> None:
        if size[0] % 2 or size[1] % 2:
            raise ValueError("H.264 in yuv420p needs an even width and height")
        handle, self._path = tempfile.mkstemp(suffix=".mp4", prefix="situation-map-")
        os.close(handle)
        # macro_block_size=2: keep the frame's own size (the default 16 would rescale 1280x720's
        # neighbours such as 320x180); faststart puts the index first so a browser plays at once.
        self._writer = imageio.get_writer(
            self._path, format="FFMPEG", mode="I", fps=fps, codec="libx264", pixelformat="yuv420p",
            macro_block_size=2, quality=None, ffmpeg_log_level="error",
            output_params=["-crf", str(MP4_CRF), "-preset", "medium", "-movflags", "+faststart"])

    def add(self, rgb: np.ndarray) -> None:
        self._writer.append_data(rgb)

    def finish(self) -> bytes:
        try:
            self._writer.close()
            with open(self._path, "rb") as fh:
                return fh.read()
        finally:
            os.unlink(self._path)

    def abort(self) -> None:
        try:
            self._writer.close()
        finally:
            if os.path.exists(self._path):
                os.unlink(self._path)
