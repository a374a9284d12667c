"""Webhooks of the providers (Twilio, Nylas, Stripe): verify -> map to organization -> record once (inbox)
-> apply -> publish.

1. Verify with the provider's own code (`twilio.request_validator.RequestValidator` over `PUBLIC_URL` + path +
   query; `stripe.Webhook.construct_event`; Nylas's HMAC-SHA256 of the raw body): a missing, wrong or stale
   signature is 401, a body that does not parse after a valid signature 400, a provider whose secret is not
   configured 503; nothing is stored then.
2. Map the delivery to the organization that connected the account it names (`winnerr.resolvers.integrations`).
3. Record it once in `webhook_deliveries` (unique provider + external id): a redelivery changes nothing and
   still answers 2xx.
4. Apply it in the same transaction (inside a savepoint): if applying fails, the row keeps the error, the
   provider still gets 2xx, and `winnerr webhooks replay` applies it again later; one that maps to no
   organization yet waits, unmatched, for the same command once the integration exists.
5. Publish the events it made (communicationCreated, …) after the commit.
"""
