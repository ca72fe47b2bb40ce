"""Organisations and users: the pages, API and services that change the tree and the staff
on it, and signing in. The tables and the scoping they rest on live in ``tenancy``."""
