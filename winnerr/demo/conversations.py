"""A month of the demo's conversations: scripted exchanges between the brokerage and one client, by where the
client is (a new inquiry, a buyer touring, a buyer under contract, a seller, a renter, a past client).

Each step is one communication: a call (with its duration), a text either way, an e-mail (with its subject), a
note or a showing. Its text is filled in with the client's name, the home, its neighborhood and price.
"""

from __future__ import annotations

from dataclasses import dataclass

from winnerr.db.enums import CommunicationChannel, Direction

CALL, SMS, EMAIL = CommunicationChannel.CALL, CommunicationChannel.SMS, CommunicationChannel.EMAIL
NOTE, MEETING = CommunicationChannel.NOTE, CommunicationChannel.MEETING
IN, OUT = Direction.INBOUND, Direction.OUTBOUND


@dataclass(frozen=True, slots=True)
class Step:
    channel: CommunicationChannel
    direction: Direction
    body: str
    subject: str | None = None
    seconds: tuple[int, int] | None = None
    """A call's or a showing's duration range, in seconds."""


INQUIRY = (
    Step(SMS, IN, "Hi, is {address} still available? We saw it online and love the {neighborhood} location."),
    Step(SMS, OUT, "Hi {first}, this is {agent} with Demo Realty. Yes, it is! Would you like to see it this week?"),
    Step(SMS, IN, "Saturday morning works for us. Do we need a pre-approval first?"),
    Step(CALL, OUT, "Intro call: first-time buyers, budget around {price}, want 3 bedrooms and a yard. Referred "
         "them to a lender for pre-approval.", seconds=(420, 1100)),
    Step(EMAIL, OUT, "Hi {first},\n\nGreat talking today. Here are five homes in {neighborhood} that fit what you "
         "described, including {address}. Let me know which ones you'd like to tour.\n\n{agent}",
         subject="Homes in {neighborhood} that match your search"),
    Step(NOTE, OUT, "Prefers texts after 5pm. Pre-approval expected next week."),
)
TOURING = (
    Step(MEETING, OUT, "Showing at {address}: they liked the kitchen and the light, worried about street noise.",
         seconds=(1800, 3600)),
    Step(SMS, IN, "We loved the house! Can't stop thinking about the backyard."),
    Step(CALL, IN, "Discussed comparable sales in {neighborhood}; they are ready to offer close to {price}.",
         seconds=(300, 900)),
    Step(EMAIL, OUT, "Hi {first},\n\nAttached is the comparative market analysis for {address}. Recent sales "
         "support an offer near {price}. Happy to walk you through it.\n\n{agent}",
         subject="Comps for {address}"),
    Step(SMS, IN, "The price is too high for us, honestly. Could we go in lower?"),
    Step(CALL, OUT, "Strategy call: offer slightly under asking with a 21-day close and an inspection contingency.",
         seconds=(600, 1500)),
)
UNDER_CONTRACT = (
    Step(EMAIL, OUT, "Hi {first},\n\nCongratulations, your offer on {address} was accepted! Next steps: earnest "
         "money within three days, then the inspection. I'll send the timeline shortly.\n\n{agent}",
         subject="Offer accepted: {address}"),
    Step(SMS, IN, "We're under contract! Thank you so much!!"),
    Step(CALL, IN, "Inspection report review: the inspection found a roof leak and old wiring in the garage. "
         "Asking the sellers for repairs or a credit.", seconds=(900, 1800)),
    Step(SMS, IN, "The inspection results are scary. Should we be worried about the foundation crack?"),
    Step(SMS, OUT, "Totally normal to feel that way. The structural engineer said it's cosmetic; I'll send the note."),
    Step(NOTE, OUT, "Appraisal came in at contract price. Closing scheduled with the title company."),
)
SELLER = (
    Step(MEETING, OUT, "Listing appointment at {address}: walked the house, discussed pricing around {price} and "
         "staging the living room.", seconds=(2700, 4500)),
    Step(EMAIL, OUT, "Hi {first},\n\nThanks for having me over. The photographer is booked for Thursday and the "
         "listing goes live Friday at {price}.\n\n{agent}", subject="Listing {address}: photos and launch date"),
    Step(SMS, IN, "The photos look amazing, thank you!"),
    Step(CALL, OUT, "Weekend feedback: 14 showings, two buyers asking for disclosures. Suggested holding the price.",
         seconds=(300, 780)),
    Step(SMS, IN, "Still no offer after two weeks? We're getting frustrated."),
    Step(EMAIL, IN, "Hi {agent},\n\nWe've talked it over and we're open to a small price reduction if you think "
         "it would help. Let us know.\n\n{first}", subject="Re: Listing {address}"),
)
RENTAL = (
    Step(SMS, IN, "Hello! Is the unit at {address} pet friendly? We have a small dog."),
    Step(SMS, OUT, "Hi {first}, yes: pets under 40 lb with a deposit. Want to see it tomorrow at 6?"),
    Step(MEETING, OUT, "Showed {address}; applicant will submit the application tonight.", seconds=(900, 1800)),
    Step(EMAIL, OUT, "Hi {first},\n\nYour application for {address} is approved. The lease is attached for "
         "signature.\n\n{agent}", subject="Application approved: {address}"),
)
PAST_CLIENT = (
    Step(EMAIL, OUT, "Hi {first},\n\nHappy home anniversary! Homes in {neighborhood} gained value this year; "
         "I'd be glad to send you an updated estimate.\n\n{agent}", subject="Happy home anniversary"),
    Step(SMS, IN, "Thanks {agent}! Our neighbors are thinking of selling, can I give them your number?"),
    Step(CALL, OUT, "Referral call: neighbors of {first} plan to list in the spring.", seconds=(240, 600)),
)
LOST = (
    Step(CALL, OUT, "Left a voicemail about the counteroffer on {address}.", seconds=(35, 70)),
    Step(SMS, IN, "Sorry, we decided to stay where we are for now. Thanks for everything."),
    Step(NOTE, OUT, "Deal lost: buyers paused their search. Follow up in three months."),
)
