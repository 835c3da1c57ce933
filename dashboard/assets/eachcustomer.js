// Clientside callbacks: recolouring the org network week by week without a server trip.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    eachcustomer: {
        // history: {weeks, nodes, data}: base64 int8 hundredths of attitude, week-major.
        decodeWeek: function (history, week) {
            const raw = atob(history.data);
            const start = week * history.nodes;
            const colors = new Array(history.nodes);
            for (let i = 0; i < history.nodes; i++) {
                const byte = raw.charCodeAt(start + i);
                colors[i] = (byte > 127 ? byte - 256 : byte) / 100;
            }
            return colors;
        },
        colorWeek: function (week, history, figure) {
            const nc = window.dash_clientside;
            if (!history || !figure || !history.data || week === null || week === undefined) {
                return nc.no_update;
            }
            const shown = Math.max(0, Math.min(Math.round(week), history.weeks - 1));
            const colors = nc.eachcustomer.decodeWeek(history, shown);
            const data = figure.data.slice();
            const index = data.findIndex(trace => trace.name === 'employees');
            if (index < 0) { return nc.no_update; }
            data[index] = Object.assign({}, data[index], {
                marker: Object.assign({}, data[index].marker, {color: colors})
            });
            const title = Object.assign({}, (figure.layout || {}).title || {}, {
                text: (history.label || 'Week') + ' ' + shown + ' of ' + (history.weeks - 1)
                    + ': ' + (history.caption || 'attitude of each employee')
            });
            const layout = Object.assign({}, figure.layout, {title: title});
            return Object.assign({}, figure, {data: data, layout: layout});
        },
        togglePlay: function (clicks, disabled, week, maxWeek) {
            const playing = !disabled;
            if (playing) { return [true, '▶ Play', window.dash_clientside.no_update]; }
            // Start again from week 0 when at the end.
            const restart = (week || 0) >= (maxWeek || 0) ? 0 : window.dash_clientside.no_update;
            return [false, '❚❚ Pause', restart];
        },
        tick: function (n, week, maxWeek) {
            const next = (week || 0) + 1;
            if (next > (maxWeek || 0)) {
                return [window.dash_clientside.no_update, true, '▶ Play'];
            }
            return [next, false, window.dash_clientside.no_update];
        }
    }
});
