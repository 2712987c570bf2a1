"""The lengths of a year and a month in days: the one home of each, for every layer.

UCUM's: a year (`a`) is the Julian year of 365.25 days and a month (`mo`) a twelfth of it,
30.4375 days. Timing periods written in months or years (`doses.py`), the months from the end
of adjuvant therapy to recurrence (`disease.py`) and the cards' month arithmetic
(`cards.phrasing`) all count with these.
"""

DAYS_PER_YEAR = 365.25  # UCUM "a", the Julian year
DAYS_PER_MONTH = DAYS_PER_YEAR / 12  # UCUM "mo": 30.4375 days
