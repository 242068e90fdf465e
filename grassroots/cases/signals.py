"""What the closed loop tells adapters that sit on it (triage), without knowing them.

Sent inside the operation's transaction, so a receiver's writes commit or roll back with it.
"""

from django.dispatch import Signal

# cases: the new Cases, registered together (one, or a batch of receipts)
case_registered = Signal()
# case: the Case; category: the new Category; actor: who classified it
case_classified = Signal()
