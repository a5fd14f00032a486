"""Reference: a bare Streamlit page."""

import streamlit as st

st.write("hello")
