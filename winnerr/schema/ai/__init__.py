"""The AI part of the schema: `sentiment`, `voiceSearch`, `insights` and the types they answer with."""
