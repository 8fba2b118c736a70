"""The home screen: which utilities a citizen's app shows, in which order."""
