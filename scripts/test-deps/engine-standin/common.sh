# Shared by the stand-in scripts: the GGUF to serve, from a file or a directory holding one.
find_gguf() {
  case "$1" in
    *.gguf) [ -f "$1" ] && { echo "$1"; return 0; } ;;
    *) [ -d "$1" ] && for f in "$1"/*.gguf; do [ -f "$f" ] && { echo "$f"; return 0; }; done ;;
  esac
  echo "stand-in: no .gguf model at '$1' (the stand-in serves local GGUF files only)" >&2
  return 1
}
