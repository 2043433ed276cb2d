"""The calendar: page, day/week/month grid, layout and painting, the event dialog."""
