"""The mathematics the course asks for, computed and checked: the derivations' closed forms and PCA by hand."""
