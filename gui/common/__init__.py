"""What every GUI package shares: colours and fonts (style), saved settings and the sample folder (settings),
text that fits (text_fit), card text (format), message boxes (dialogs) and the compute thread (compute).
It imports only the engine, Qt and pyqtgraph, never another gui package, so any gui package may import it."""
