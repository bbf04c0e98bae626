#!/usr/bin/env bash
# `yuqing transcribe` end to end on the random-weight fixture models: every output format, the
# same text from WAV, FLAC and standard input, --output-dir writing whole files, and bad input
# giving a one-line error and exit 2. Usage: transcribe.sh YUQING TESTDATA
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"
model=$data/whisper/tiny80
audio=$data/whisper/audio
fast=(--model "$model" --beam 1 --no-fallback --quiet --threads 1)

json=$("$yuqing" transcribe "${fast[@]}" --language en --format json "$audio/speech_en.wav")
[[ $json == '{"text":'*'"language":"en"'*'"segments":['* ]] && pass || fail "json: $json"
wav=$("$yuqing" transcribe "${fast[@]}" --language en "$audio/speech_en.wav")
flac=$("$yuqing" transcribe "${fast[@]}" --language en "$audio/speech_en.flac")
piped=$("$yuqing" transcribe "${fast[@]}" --language en - <"$audio/speech_en.flac")
check "flac = wav" "$wav" "$flac"
check "stdin = file" "$wav" "$piped"
vtt=$("$yuqing" transcribe "${fast[@]}" --language en --format vtt "$audio/speech_en.mp3")
[[ $vtt == WEBVTT* ]] && pass || fail "vtt: $vtt"
"$yuqing" transcribe "${fast[@]}" --format srt --no-timestamps --task translate --output-dir "$work" \
  "$audio/speech_zh.flac" "$audio/speech_en.opus.ogg" || fail "--output-dir exit $?"
[[ -s $work/speech_zh.srt && -s $work/speech_en.opus.srt ]] && pass || fail "missing outputs: $(ls "$work")"
[[ $(head -1 "$work/speech_zh.srt") == 1 ]] && pass || fail "srt: $(head -3 "$work/speech_zh.srt")"
[[ -z $(ls "$work" | grep tmp) ]] && pass || fail "temporary files left: $(ls "$work")"
"$yuqing" transcribe --help | grep -q -- "--format" && pass || fail "--help"

expect_error 2 "give --model" '' transcribe "$audio/speech_en.wav"
expect_error 2 "give at least one FILE" '' transcribe --model "$model"
expect_error 2 "unknown format 'doc'" '' transcribe --model "$model" --format doc "$audio/speech_en.wav"
expect_error 2 "--task" '' transcribe --model "$model" --task summarize "$audio/speech_en.wav"
expect_error 2 "--beam" '' transcribe --model "$model" --beam 0 "$audio/speech_en.wav"
expect_error 2 "corrupt.m4a" '' transcribe "${fast[@]}" "$audio/corrupt.m4a"
expect_error 2 "truncated.m4a" '' transcribe "${fast[@]}" "$audio/truncated.m4a"
expect_error 2 "/nonexistent.wav" '' transcribe "${fast[@]}" /nonexistent.wav
expect_error 2 "/nonexistent-model" '' transcribe --model /nonexistent-model "$audio/speech_en.wav"
expect_error 2 "unknown language 'xx'" '' transcribe "${fast[@]}" --language xx "$audio/speech_en.wav"
finish "cli transcribe"
