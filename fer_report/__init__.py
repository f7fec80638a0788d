"""fer-report: one command from a facial-expression classifier to a submission-ready report."""

__version__ = "0.1.0"

#: FER2013's seven classes, in its label order (0..6).
CLASSES: tuple[str, ...] = ("Angry", "Disgust", "Fear", "Happy", "Sad", "Surprise", "Neutral")
