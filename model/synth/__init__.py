"""Synthetic Home Credit data in Kaggle's exact format: `generate.generate(n_clients, seed, out_dir)`."""
