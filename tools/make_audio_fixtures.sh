#!/usr/bin/env bash
# Generates the audio fixtures of the Whisper tests under tests/data/whisper/audio/ with
# espeak-ng (speech synthesis), sox (resampling to 16 kHz mono 16-bit) and the ffmpeg command
# (lossless and lossy encodings, a video container). Output is small (about 300 KB in all).
#   speech_en.wav        English sentence, 16 kHz mono s16 (the source of every encoding)
#   speech_en.flac       the same samples, lossless
#   speech_en.mp3        MP3 (libmp3lame, 44.1 kHz, 64 kbit/s)
#   speech_en.opus.ogg   Opus in Ogg (48 kHz, 32 kbit/s)
#   speech_en.m4a        AAC in MP4 (22.05 kHz, 64 kbit/s)
#   speech_en.mkv        Vorbis audio in Matroska, with a tiny video stream
#   speech_zh.flac       Mandarin sentence (espeak-ng voice cmn), 16 kHz mono
#   truncated.m4a        the first half of speech_en.m4a (its index, at the end, is cut off)
#   corrupt.m4a          an MP4 header followed by garbage
# Usage: tools/make_audio_fixtures.sh [OUT_DIR]
set -euo pipefail
out=${1:-tests/data/whisper/audio}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ff() { ffmpeg -hide_banner -loglevel error -y -bitexact "$@"; }

espeak-ng -v en-us -s 160 "The quick brown fox jumps over the lazy dog." -w "$tmp/en.wav"
sox -D "$tmp/en.wav" -r 16000 -c 1 -b 16 "$out/speech_en.wav"
espeak-ng -v cmn -s 170 "今天天气很好。" -w "$tmp/zh.wav"
sox -D "$tmp/zh.wav" -r 16000 -c 1 -b 16 "$tmp/zh16.wav"

ff -i "$out/speech_en.wav" -c:a flac "$out/speech_en.flac"
ff -i "$tmp/zh16.wav" -c:a flac "$out/speech_zh.flac"
ff -i "$out/speech_en.wav" -ar 44100 -c:a libmp3lame -b:a 64k "$out/speech_en.mp3"
ff -i "$out/speech_en.wav" -c:a libopus -b:a 32k "$out/speech_en.opus.ogg"
ff -i "$out/speech_en.wav" -ar 22050 -c:a aac -b:a 64k "$out/speech_en.m4a"
ff -f lavfi -i "color=c=black:s=16x16:r=5" -i "$out/speech_en.wav" -shortest -map 0:v -map 1:a \
   -c:v ffv1 -c:a libvorbis -q:a 6 "$out/speech_en.mkv"

head -c 13000 "$out/speech_en.m4a" > "$out/truncated.m4a"
{ head -c 64 "$out/speech_en.m4a"; head -c 2000 /dev/zero | tr '\0' 'x'; } > "$out/corrupt.m4a"
ls -l "$out"
