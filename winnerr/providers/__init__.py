"""Outbound clients of the providers (the twilio SDK; Nylas over httpx), behind small functions the use-cases
call. Their API addresses are settings (`TWILIO_API_BASE_URL`, `NYLAS_API_URL`), so tests run them against
local stub servers; a provider's failure becomes `ProviderError` (PROVIDER_ERROR)."""
