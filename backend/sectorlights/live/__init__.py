"""Live updates: the events of DESIGN §8, the bus that carries them across replicas, the change and
significant-move detection that produces them, and the WebSocket hub that delivers them."""
