"""The pages: the only code that touches Streamlit's session and URL state."""
