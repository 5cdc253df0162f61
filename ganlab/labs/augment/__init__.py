"""The augmentation lab: do a GAN's digits help a classifier with few labels? (experiment.py,
labels.py, ssgan.py, report.py)
"""
