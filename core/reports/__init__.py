"""The kernel's reporting machinery, shared by every report (SLA, satisfaction, scorecard):
server-side SVG charts and the CSV table of a report API's answer."""
