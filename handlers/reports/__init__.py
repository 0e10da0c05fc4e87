"""Reports: the monthly numbers an office sends upward, and the weekly digest's chart."""
