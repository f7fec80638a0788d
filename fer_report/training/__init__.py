"""Training a model here with our recipe: the loop, its resumable cache, optimiser and schedule, losses,
class balancing, batch augmentation and several processes. Imports from data/ and model/, never from report/."""
