"""How good a generator is, measured: toy metrics (toy.py), the digit classifier and nearest
neighbours (digits.py), image GAN scores (images.py).
"""
