"""`training_script` (.py): placeholder until the training settings schema lands."""

from engine.export.base import ExportError, ExportFormat


def _refuse(*args):
    raise ExportError("The training_script format is not available yet.")


FORMAT = ExportFormat("training_script", ".py", "standalone training script (torch + torchvision, DDP)",
                      _refuse, _refuse)
