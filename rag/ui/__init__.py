"""The web UI: thin Gradio layout (app.py) over the same services the CLI uses (services.py)."""
