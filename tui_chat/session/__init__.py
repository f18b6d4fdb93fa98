"""Session/model layer: conversation state, turns, metrics, transcripts. No Textual here.

`model` is pure Python; `recorder` connects a turn to the stream layer (and so imports the SDK).
"""
