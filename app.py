"""`python app.py [--host 127.0.0.1] [--port 7860]`: the web UI (same as `rag ui`)."""
import sys

from rag.cli import main

if __name__ == "__main__":
    sys.exit(main(["ui", *sys.argv[1:]]))
