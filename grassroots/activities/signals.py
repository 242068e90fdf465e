"""What activities tell the statistics, without knowing them.

Sent inside the operation's transaction, so a receiver's writes commit or roll back with it.
"""

from django.dispatch import Signal

# before: the Activity as it was (None: just recorded); after: the Activity as it is now.
# Sent whenever what an activity counts for may have changed: its state, batches, persons.
activity_changed = Signal()
