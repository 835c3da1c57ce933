"""The Class page: a class plays the organization (participatory simulation, HubNet-style).

`game` is the session without the web: roles, rounds, students' choices, the teacher's
levers, what each student sees, the debrief's data and the exports. `sessions` keeps the
class sessions of one dashboard process, bounded and isolated, and the web parts (the
teacher's Dash page, the students' phone page and its JSON API) sit on top of it.
"""
