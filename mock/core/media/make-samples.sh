#!/usr/bin/env bash
# Makes the videos completed mock tasks point at, one per aspect ratio (16:9 320x180, 9:16 180x320,
# 1:1 240x240): 3 s of H.264 baseline (plays in every browser), moov atom first so playback starts
# before the download ends, and samples.ts, the same bytes as base64 so that the mock core can serve
# them with no file system (in a browser's service worker, in a test runner).
# Run only when they need to change (needs ffmpeg: apt-get install ffmpeg); the outputs are committed.
set -euo pipefail
cd "$(dirname "$0")"
for spec in "16x9 320x180" "9x16 180x320" "1x1 240x240"; do
  set -- $spec
  ffmpeg -y -loglevel error -f lavfi -i "testsrc2=size=$2:rate=12:duration=3" \
    -c:v libx264 -profile:v baseline -pix_fmt yuv420p -crf 38 -preset veryslow \
    -movflags +faststart -an "sample-$1.mp4"
done
{
  echo "// Written by make-samples.sh from the sample-*.mp4 beside it: do not edit."
  echo "export const SAMPLES_BASE64 = {"
  for ratio in 16x9 9x16 1x1; do
    echo "  \"${ratio/x/:}\": \"$(base64 -w0 "sample-$ratio.mp4")\","
  done
  echo "} as const;"
} > samples.ts
ls -l sample-*.mp4 samples.ts
