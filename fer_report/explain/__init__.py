"""Explanation methods and their faithfulness measures: arrays in, arrays out, no plotting."""
