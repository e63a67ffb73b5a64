# Splits the fenced blocks of the Markdown files it reads into OUT/N.code (N counting from 1 over all files) and
# prints one tab-separated line per block: N, file, line of the opening fence, language (the fence's info string,
# "-" when none), the sample marker on the line just before the fence ("-" when none). A marker that no fence
# follows is printed as a block of language "(no fence)". Used by scripts/check-samples.sh.
#
# Usage: awk -v out=DIR -f scripts/extract-samples.awk FILE...
function flush_marker() {
  if (marker != "") {
    blocks++
    printf "%d\t%s\t%d\t(no fence)\t%s\n", blocks, marker_file, marker_line, marker
    marker = ""
  }
}
FNR == 1 { flush_marker(); in_fence = 0 }
in_fence {
  if ($0 ~ "^" fence_indent "```+[ \t]*$") { in_fence = 0; close(code); next }
  print substr($0, length(fence_indent) + 1) > code
  next
}
/^ *```/ {
  match($0, /^ */)
  fence_indent = substr($0, 1, RLENGTH)
  lang = $0
  sub(/^ *```+[ \t]*/, "", lang)
  sub(/[ \t].*$/, "", lang)
  blocks++
  code = out "/" blocks ".code"
  printf "" > code
  printf "%d\t%s\t%d\t%s\t%s\n", blocks, FILENAME, FNR, (lang == "" ? "-" : lang), (marker == "" || marker_line != FNR - 1 ? "-" : marker)
  if (marker != "" && marker_line != FNR - 1) {
    # A marker separated from its fence by other lines marks nothing.
    blocks++
    printf "%d\t%s\t%d\t(no fence)\t%s\n", blocks, marker_file, marker_line, marker
  }
  marker = ""
  in_fence = 1
  next
}
/^<!-- sample:/ {
  flush_marker()
  marker = $0
  sub(/^<!-- sample:[ \t]*/, "", marker)
  sub(/[ \t]*-->[ \t]*$/, "", marker)
  marker_file = FILENAME
  marker_line = FNR
  next
}
marker != "" && marker_line == FNR - 1 { flush_marker() }
END { flush_marker() }
