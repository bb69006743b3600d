"""The areas' populations: census margins the survey waves are weighted to."""
