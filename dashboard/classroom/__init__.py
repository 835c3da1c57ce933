"""The Class page: a class plays the organization (participatory simulation, HubNet-style).

`game` is the session without the web: roles, rounds, students' choices, the teacher's
levers, what each student sees, the debrief's data and the exports. `sessions` keeps the
class sessions of one dashboard process, bounded and isolated (`views` is what the pages
see of one, `sentences` a student's month in words), and the web parts sit on top of it:
`page`, the teacher's Dash page, and `web`, the students' phone page and its JSON API.
"""
