"""Session/model layer: conversation state, turns, metrics, exports (the markdown transcript). No Textual here.

`conversation` (the state) is pure Python; `model_catalog` is the models a user can pick; `recorder`
connects a turn to the stream layer (and so imports the SDK).
"""
