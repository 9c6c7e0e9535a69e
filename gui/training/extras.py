"""The app's one channel from the training views to the training thread's derived records
(engine.training.live_extras): the views say what they show (the confusion matrix, the boundary's
aspect) and ask for predictions on the GUI thread; the worker's LiveExtras reads it (one run at a
time, so one object serves the app)."""

from __future__ import annotations

from engine.training.live_extras import ViewRequests

REQUESTS = ViewRequests()
