#!/usr/bin/env bash
# Makes mock/sample.mp4, the video every completed mock task points at: 5 s, 320x180, H.264
# (plays in every browser), moov atom first so playback starts before the download ends.
# Run once when it needs to change (needs ffmpeg: apt-get install ffmpeg); the result is committed.
set -euo pipefail
cd "$(dirname "$0")"
ffmpeg -y -loglevel error \
  -f lavfi -i "testsrc2=size=320x180:rate=24:duration=5" \
  -vf "drawtext=text='Kirin mock':fontcolor=white:fontsize=22:x=(w-tw)/2:y=h-th-12:box=1:boxcolor=black@0.5" \
  -c:v libx264 -profile:v baseline -pix_fmt yuv420p -crf 34 -preset veryslow \
  -movflags +faststart -an sample.mp4 \
  || ffmpeg -y -loglevel error \
  -f lavfi -i "testsrc2=size=320x180:rate=24:duration=5" \
  -c:v libx264 -profile:v baseline -pix_fmt yuv420p -crf 34 -preset veryslow \
  -movflags +faststart -an sample.mp4
ls -l sample.mp4
